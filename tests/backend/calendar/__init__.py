"""Tests of rankings/calendar: periods, boards as a process knows them, archives."""
