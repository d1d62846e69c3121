"""Use cases of the timeline service: the projection, the reads and the committee meetings."""
