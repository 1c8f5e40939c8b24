/// The built-in demo configuration: the text of `Examples/demo.yaml`, compiled in so that
/// `tollgate serve --demo` works from any directory. A test keeps the two identical.
extension TollgateConfiguration {
    /// Port of the built-in echo function that the demo's upstreams point at.
    public static let demoEchoPort = 18080

    /// The YAML text of `Examples/demo.yaml`.
    public static let demoYAML = """
        # Tollgate demo configuration.
        #
        # `tollgate serve --demo` runs exactly this file (it is built into the binary) and also starts a
        # built-in echo function on 127.0.0.1:18080 that answers every request with a JSON description of
        # what it received. Try:
        #
        #   curl -s 'http://127.0.0.1:8080/function/echo/hello?name=world'
        #   curl -s -X POST -d '{"item":42}' -H 'content-type: application/json' http://127.0.0.1:8080/function/orders/new
        #   curl -s -i http://127.0.0.1:8080/not-declared        # 404: only declared routes exist
        #
        # Every key, its default and its meaning: Examples/full.yaml and the README.

        listen: "127.0.0.1:8080"
        admin_listen: "127.0.0.1:9901"

        functions:
          # Everything under /function/echo is forwarded to the echo function as is.
          - name: echo
            route: /function/echo
            upstream: "http://127.0.0.1:18080"
            timeout_ms: 3000
            memory_mb: 128

          # A second function: only GET and POST are allowed (others get 405), the route prefix is
          # replaced by the upstream's base path (/function/orders/new arrives as /orders-api/new), and
          # bodies above 64 KiB are refused with 413 before they reach the function.
          - name: orders
            route: /function/orders
            methods: [GET, POST]
            upstream: "http://127.0.0.1:18080/orders-api"
            strip_prefix: true
            timeout_ms: 1000
            memory_mb: 512
            max_body_bytes: 64KiB

        # The WAF: Tollgate's embedded rules (SQL injection, XSS, traversal, ...) block attacks with 403.
        # Try: curl -s -i "http://127.0.0.1:8080/function/echo/?q=1'%20OR%20'1'='1"
        rules:
          mode: block
          profile: embedded
        """
}
