"""The functional core: pure functions of their arguments.

No I/O, no clock, no sleep, no randomness. The shells in `magento_ir._async` (and the generated
`magento_ir._sync`) do the I/O and pass in what the core needs (`now`, a random number, the
response bytes).
"""
