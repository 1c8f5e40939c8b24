// TollgateMetrics
