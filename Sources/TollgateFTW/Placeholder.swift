// TollgateFTW
