# worker/dist: Kafka group membership client (group.c, kwire.*) — owned by the group engineer.
