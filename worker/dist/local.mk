# worker/dist: the distributed herder — owned by the distributed-herder engineer.
