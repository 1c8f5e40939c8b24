import Foundation
import TollgateRules

/// In-process stand-in for CRS's albedo test backend: `POST /reflect` answers with the status, headers and
/// body given in the JSON request body; everything else gets an empty 200.
enum AlbedoBackend {
    struct Response {
        var head: ResponseInput
        var body: [UInt8]
    }

    static func respond(method: [UInt8], path: String, body: [UInt8]) -> Response {
        if path == "/reflect", method == Array("POST".utf8),
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        {
            let status = (object["status"] as? Int) ?? 200
            var headers: [HeaderField] = []
            if let h = object["headers"] as? [String: Any] {
                for (k, v) in h.sorted(by: { $0.key < $1.key }) { headers.append(HeaderField(k, "\(v)")) }
            }
            var responseBody: [UInt8] = []
            if let b = object["body"] as? String {
                responseBody = Array(b.utf8)
            } else if let e = object["encodedBody"] as? String, let d = Data(base64Encoded: e) {
                responseBody = [UInt8](d)
            }
            if !headers.contains(where: { $0.name.lowercased() == Array("content-type".utf8) }) {
                headers.append(HeaderField("Content-Type", "text/plain"))
            }
            headers.append(HeaderField("Content-Length", String(responseBody.count)))
            return Response(head: ResponseInput(status: status, headers: headers), body: responseBody)
        }
        return Response(
            head: ResponseInput(
                status: 200, headers: [HeaderField("Content-Type", "text/plain"), HeaderField("Content-Length", "0")]),
            body: [])
    }
}

extension Array where Element == UInt8 {
    func lowercased() -> [UInt8] { map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 } }
}
