// TollgateRegex
