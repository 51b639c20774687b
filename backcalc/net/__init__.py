"""The net: spec files read and checked, names, initialisers, the network on the tape, derivation records."""
