import Prometheus

extension PrometheusCollectorRegistry {
    /// The counter of `definition` with these label values (in the definition's label order).
    func counter(_ definition: MetricDefinition, _ values: String...) -> Prometheus.Counter {
        precondition(definition.type == .counter && values.count == definition.labels.count)
        return makeCounter(descriptor: definition.descriptor, labels: Array(zip(definition.labels, values)))
    }

    /// The gauge of `definition` with these label values (in the definition's label order).
    func gauge(_ definition: MetricDefinition, _ values: String...) -> Prometheus.Gauge {
        precondition(definition.type == .gauge && values.count == definition.labels.count)
        return makeGauge(descriptor: definition.descriptor, labels: Array(zip(definition.labels, values)))
    }

    /// The histogram of `definition` with these buckets and label values.
    func histogram(_ definition: MetricDefinition, buckets: [Double], _ values: String...) -> ValueHistogram {
        precondition(definition.type == .histogram && values.count == definition.labels.count)
        return makeValueHistogram(
            descriptor: definition.descriptor, labels: Array(zip(definition.labels, values)), buckets: buckets)
    }
}

extension MetricDefinition {
    /// The swift-prometheus descriptor: the full name as `metricName` (the unit is already in it).
    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension Prometheus.Counter {
    /// Adds `amount` if it is a finite positive number; anything else is ignored (a counter never goes down,
    /// and swift-prometheus traps on negative increments).
    func add(_ amount: Double) {
        if amount > 0, amount.isFinite { increment(by: amount) }
    }
}

extension Prometheus.Gauge {
    /// Sets the gauge to `value` if it is finite (the text format's `NaN`/`+Inf` spellings differ from
    /// Swift's, so non-finite values are not recorded).
    func setFinite(_ value: Double) {
        if value.isFinite { set(to: value) }
    }

    /// Adds `amount` (which may be negative) if it is finite.
    func addFinite(_ amount: Double) {
        if amount.isFinite { increment(by: amount) }
    }
}

extension ValueHistogram {
    /// Records `value` if it is finite.
    func recordFinite(_ value: Double) {
        if value.isFinite { record(value) }
    }
}
