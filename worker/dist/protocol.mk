# worker/dist: connect subprotocol codec and assignors — owned by the assignor engineer.
