"""The intake domain: cases, reports and risk assessments. Pure: no I/O, no clock."""
