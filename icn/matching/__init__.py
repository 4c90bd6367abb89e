"""Matchmaking: retrieval and ranking engines, match records and their outcomes."""
