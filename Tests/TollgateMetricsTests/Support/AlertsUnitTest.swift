/// A promtool unit test (`promtool test rules`) for Examples/prometheus-alerts.yaml: synthetic series that
/// must fire each alert, with exact labels and annotations, and must not fire it before its time.
/// `RULES_FILE` is replaced by the absolute path of the rules file before running.
enum AlertsUnitTest {
    static let yaml = """
        rule_files:
          - RULES_FILE
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'tollgate_function_budget_limit_usd{function="checkout",instance="i",job="tollgate"}'
                values: '10x30'
              - series: 'tollgate_function_budget_remaining_usd{function="checkout",instance="i",job="tollgate"}'
                values: '5x10 0.5x20'
              - series: 'tollgate_last_reload_successful{kind="ruleset",instance="i",job="tollgate"}'
                values: '1x5 0x25'
              - series: 'tollgate_last_reload_successful{kind="config",instance="i",job="tollgate"}'
                values: '1x30'
              - series: 'tollgate_store_failing_open{instance="i",job="tollgate"}'
                values: '0x5 1x25'
              - series: 'tollgate_requests_total{function="checkout",action="blocked",status_class="4xx",instance="i",job="tollgate"}'
                values: '0+1x60 60+600x15'
              - series: 'tollgate_requests_total{function="search",action="budget_exceeded",status_class="4xx",instance="i",job="tollgate"}'
                values: '0+60x30'
              - series: 'tollgate_proxy_added_latency_seconds_bucket{function="checkout",le="0.0025",instance="i",job="tollgate"}'
                values: '0x30'
              - series: 'tollgate_proxy_added_latency_seconds_bucket{function="checkout",le="0.01",instance="i",job="tollgate"}'
                values: '0+60x30'
              - series: 'tollgate_proxy_added_latency_seconds_bucket{function="checkout",le="+Inf",instance="i",job="tollgate"}'
                values: '0+60x30'
              - series: 'tollgate_rule_engine_errors_total{kind="match_limit",instance="i",job="tollgate"}'
                values: '0+6x30'
            alert_rule_test:
              - eval_time: 5m
                alertname: TollgateBudgetNearlySpent
                exp_alerts: []
              - eval_time: 15m
                alertname: TollgateBudgetNearlySpent
                exp_alerts:
                  - exp_labels: {severity: warning, function: checkout, instance: i, job: tollgate}
                    exp_annotations:
                      summary: "Budget of checkout nearly spent"
                      description: "checkout has 5% of its money budget left."
              - eval_time: 15m
                alertname: TollgateBudgetExceeded
                exp_alerts:
                  - exp_labels: {severity: critical, function: search}
                    exp_annotations:
                      summary: "Budget of search exhausted"
                      description: "search refuses 1 requests/s because its budget is spent."
              - eval_time: 5m
                alertname: TollgateReloadFailed
                exp_alerts: []
              - eval_time: 10m
                alertname: TollgateReloadFailed
                exp_alerts:
                  - exp_labels: {severity: critical, kind: ruleset, instance: i, job: tollgate}
                    exp_annotations:
                      summary: "Tollgate ruleset reload failed"
                      description: "The last ruleset reload on i failed; the previous one is still in force."
              - eval_time: 6m
                alertname: TollgateStoreFailingOpen
                exp_alerts: []
              - eval_time: 10m
                alertname: TollgateStoreFailingOpen
                exp_alerts:
                  - exp_labels: {severity: critical, instance: i, job: tollgate}
                    exp_annotations:
                      summary: "Tollgate limiter is failing open"
                      description: "i cannot use its shared store and enforces local limits only."
              - eval_time: 30m
                alertname: TollgateAttackSpike
                exp_alerts: []
              - eval_time: 70m
                alertname: TollgateAttackSpike
                exp_alerts:
                  - exp_labels: {severity: warning, function: checkout}
                    exp_annotations:
                      summary: "Attack spike on checkout"
                      description: "checkout blocks 10 requests/s, more than 5x its hourly average."
              - eval_time: 20m
                alertname: TollgateAddedLatencyHigh
                exp_alerts:
                  - exp_labels: {severity: warning, function: checkout}
                    exp_annotations:
                      summary: "WAF adds high latency on checkout"
                      description: "p99 time spent inside Tollgate is 9.925ms."
              - eval_time: 20m
                alertname: TollgateRuleEngineMatchLimit
                exp_alerts:
                  - exp_labels: {severity: warning}
                    exp_annotations:
                      summary: "Rule engine reaching PCRE2 match limits"
                      description: "100m match-limit errors/s over 5 minutes."
        """
}
