// TollgateProxy
