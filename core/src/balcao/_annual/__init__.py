"""The annual management report (relatório de gestão, Lei 13.460/2017 art. 14-15)."""
