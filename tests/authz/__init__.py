"""The authorisation matrix: who may read and write each kind of record, as one table
(`matrix`), the records it is tried on (`records`) and the pages and API operations that read
or write them (`operations`). tests/test_authz_matrix.py runs every cell."""
