"""Time: the clock, the periods of boards that reset, boards as a process knows them
(with the ranking in force), and the archives of closed periods."""
