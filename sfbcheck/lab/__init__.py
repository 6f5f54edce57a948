"""The sample lab: a realistic deployment whose evidence is generated (``python -m sfbcheck.lab``)."""
