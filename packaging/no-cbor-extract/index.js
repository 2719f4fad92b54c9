// cbor-x loads `cbor-extract` for native string decoding when it is installed and uses it only when the export is
// truthy; null keeps cbor-x on its JavaScript decoder. Why this stands in for the real package: README.md here.
module.exports = null;
