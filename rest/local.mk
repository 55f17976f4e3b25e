# rest: sources and tests of this directory (filled in by its owner).
