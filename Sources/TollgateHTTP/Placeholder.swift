// TollgateHTTP
