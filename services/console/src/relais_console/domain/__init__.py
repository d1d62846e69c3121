"""What the console knows without any I/O: the words it shows people and the pure rules of its
pages (French labels, how a refusal is explained, civil time, the committee row, the chart)."""
