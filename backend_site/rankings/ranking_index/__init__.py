"""The Redis side: the rankings (a board in one period), their scripts, the one path
by which Redis follows the database (sync), rebuilds and verification."""
