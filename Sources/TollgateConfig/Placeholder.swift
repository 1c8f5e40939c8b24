// TollgateConfig
