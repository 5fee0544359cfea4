"""Time: the clock, the periods of boards that reset, boards as a process knows them (with
the ranking in force and the names of their rankings), and any period as a read sees it.
Nothing here writes; it imports no Redis."""
