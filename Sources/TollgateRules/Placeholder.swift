// TollgateRules
