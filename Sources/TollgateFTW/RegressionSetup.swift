import TollgateRules

/// The configuration CRS's regression suite runs under (tests/regression/README.md): the engine settings of
/// ModSecurity's recommended configuration (body access, JSON/XML body processors, body-error rules) and
/// rule 900005 (detection-only, blocking paranoia level 4, the suite's argument limits).
public enum RegressionSetup {
    /// Loaded before crs-setup.conf.example. Our own text, equivalent in effect to the recommended setup.
    public static let preamble = """
        SecRuleEngine On
        SecRequestBodyAccess On
        SecResponseBodyAccess On
        SecRequestBodyLimit 13107200
        SecRequestBodyNoFilesLimit 131072
        SecRequestBodyLimitAction Reject
        SecResponseBodyLimit 524288
        SecResponseBodyLimitAction ProcessPartial
        SecResponseBodyMimeType text/plain text/html text/xml application/json
        SecArgumentSeparator &
        SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\\+|/)|text/)xml" \\
            "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
        SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:[a-z0-9.-]+\\+)?json" \\
            "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
        SecRule REQBODY_ERROR "!@eq 0" \\
            "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body: %{REQBODY_ERROR_MSG}'"
        SecRule MULTIPART_STRICT_ERROR "!@eq 0" \\
            "id:200003,phase:2,t:none,log,deny,status:400,msg:'Multipart request body failed strict validation'"

        """

    /// Rule 900005 exactly as the suite's README asks for it.
    public static let rule900005 = """
        SecAction "id:900005,\\
          phase:1,\\
          nolog,\\
          pass,\\
          ctl:ruleEngine=DetectionOnly,\\
          ctl:ruleRemoveById=910000,\\
          setvar:tx.blocking_paranoia_level=4,\\
          setvar:tx.crs_validate_utf8_encoding=1,\\
          setvar:tx.arg_name_length=100,\\
          setvar:tx.arg_length=400,\\
          setvar:tx.total_arg_length=64000,\\
          setvar:tx.max_num_args=255,\\
          setvar:tx.max_file_size=64100,\\
          setvar:tx.combined_file_sizes=65535"

        """

    /// Loads CRS from `directory` (crs-setup.conf.example, rules/*.conf) under the regression setup.
    public static func ruleSet(crsDirectory directory: String) throws(RuleLoadError) -> RuleSet {
        var loader = RuleSetLoader()
        try loader.load(text: preamble, file: "<regression-setup>")
        try loader.load(file: directory + "/crs-setup.conf.example")
        try loader.load(text: rule900005, file: "<regression-setup>")
        try loader.load(files: [directory + "/rules/*.conf"])
        return try loader.build()
    }
}
