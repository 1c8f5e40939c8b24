extension Transaction {
    var bodyLimits: BodyLimits {
        BodyLimits(arguments: settings.argumentsLimit, depth: settings.jsonDepthLimit, files: settings.uploadFileLimit)
    }

    func setBodyError(_ message: String) {
        reqbodyError = true
        reqbodyErrorMessage = message
    }

    /// Runs the request body processor. Overflows are explicit: REQBODY_ERROR is set and, when the engine
    /// enforces, the verdict blocks (413 for size, 400 for argument/depth/file limits).
    func processBody(_ input: [UInt8], truncated: Bool) {
        requestBodyLength = input.count
        guard settings.requestBodyAccess else { return }
        var body = input
        let processor = reqbodyProcessor
        let limit = requestBodyInspectionLimit
        if truncated || body.count > limit {
            inboundDataError = true
            if settings.requestBodyLimitActionReject {
                setBodyError("request body larger than the inspection limit of \(limit) bytes")
                enforce(.block(status: 413, ruleID: 0))
                return
            }
            body = Array(body.prefix(limit))
        }
        requestBody = body
        argsCache = nil
        defer {
            argsCache = nil
            // Argument indices change when the body adds arguments: cached transformations of what the body
            // feeds are stale. Those of the headers, cookies, URI and query string stay (phase 2 reads them too).
            for v in transformIndex.indices where !Self.bodyIndependent[v] { transformIndex[v] = [] }
        }
        // An empty body has nothing to parse (ModSecurity does not run the processor on it).
        guard let processor, !body.isEmpty else { return }
        do throws(BodyProcessorError) {
            switch processor {
            case "URLENCODED":
                let parsed = URLCoding.parseArguments(body, separator: settings.argumentSeparator)
                if parsed.count > settings.argumentsLimit {
                    throw BodyProcessorError(
                        .argumentsLimit, "urlencoded: more than \(settings.argumentsLimit) arguments")
                }
                argsPost = parsed
            case "JSON":
                argsJSON = try JSONBodyProcessor.parse(body, limits: bodyLimits)
            case "XML":
                xml = try XMLBodyProcessor.parse(body, limits: bodyLimits)
            case "MULTIPART":
                let result = try MultipartBodyProcessor.parse(
                    body, contentType: headerValue("content-type") ?? [], limits: bodyLimits)
                multipart = result.state
                argsPost = result.arguments
                files = result.files
                fileSizes = result.fileSizes
            default:
                break
            }
        } catch {
            setBodyError(error.message)
            if error.isLimit {
                enforce(.block(status: 400, ruleID: 0))
            }
        }
    }

    /// Per `Variable.ordinal`: whether the request body cannot change the variable's values (or their order); the
    /// same variables whose prefilter scans phase 2 reuses (`RulePrefilter.changesAfterPhaseOne`).
    static let bodyIndependent: [Bool] = Variable.allCases.map { !RulePrefilter.changesAfterPhaseOne($0) }
}
