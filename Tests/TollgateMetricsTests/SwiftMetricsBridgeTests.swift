import CoreMetrics
import Testing
import TollgateTestSupport

@testable import TollgateMetrics

@Suite("swift-metrics bridge")
struct SwiftMetricsBridgeTests {
    @Test("a swift-metrics counter made with metricsFactory lands in the same exposition")
    func factoryWritesIntoRegistry() throws {
        let metrics = TollgateMetrics(version: "1")
        let counter = CoreMetrics.Counter(
            label: "tollgate_bridge_test_total", dimensions: [("side", "client")], factory: metrics.metricsFactory)
        counter.increment(by: 3)
        let exposition = try Exposition(metrics.exposition())
        #expect(exposition.value("tollgate_bridge_test_total", ["side": "client"]) == 3)
        #expect(exposition.value("tollgate_build_info", ["version": "1", "revision": "unknown"]) == 1)
    }
}
