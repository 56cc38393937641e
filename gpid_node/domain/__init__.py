"""Pure domain code: the key data set model, its canonical form, the GPID codec and the Customs rules.

Nothing here performs I/O or imports anything outside the standard library, pydantic and the
reference-data and canonical-JSON libraries (a test keeps it so).
"""
