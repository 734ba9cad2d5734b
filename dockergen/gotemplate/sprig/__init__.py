"""Sprig v3 functions, one module per family (strings, lists, dicts, math, ...).

:data:`FAMILIES` says which family declares which names, so that a template imports only
the families it calls (``dates`` brings zoneinfo, ``math`` decimal, ``os_net`` socket
and uuid).  tests/unit/gotemplate/test_funcmap.py holds it to the families' own tables.
"""

__all__ = ["FAMILIES"]

FAMILIES: dict[str, frozenset[str]] = {
    "strings": frozenset((
        "abbrev", "abbrevboth", "adler32sum", "camelcase", "cat", "contains", "hasPrefix", "hasSuffix",
        "hello", "indent", "initials", "join", "kebabcase", "lower", "nindent", "nospace", "plural",
        "quote", "randAlpha", "randAlphaNum", "randAscii", "randNumeric", "repeat", "replace",
        "sha1sum", "sha256sum", "sha512sum", "shuffle", "snakecase", "sortAlpha", "split", "splitList",
        "splitn", "sprigContains", "sprigReplace", "sprigSplit", "sprigSplitn", "squote", "substr",
        "swapcase", "title", "toString", "toStrings", "trim", "trimAll", "trimPrefix", "trimSuffix",
        "trimall", "trunc", "untitle", "upper", "wrap", "wrapWith",
    )),
    "regex": frozenset((
        "mustRegexFind", "mustRegexFindAll", "mustRegexMatch", "mustRegexReplaceAll",
        "mustRegexReplaceAllLiteral", "mustRegexSplit", "regexFind", "regexFindAll", "regexMatch",
        "regexQuoteMeta", "regexReplaceAll", "regexReplaceAllLiteral", "regexSplit",
    )),
    "encoding": frozenset((
        "b32dec", "b32enc", "b64dec", "b64enc",
    )),
    "paths": frozenset((
        "base", "clean", "dir", "ext", "isAbs", "osBase", "osClean", "osDir", "osExt", "osIsAbs",
        "sprigDir",
    )),
    "lists": frozenset((
        "append", "chunk", "compact", "concat", "first", "has", "initial", "last", "list", "mustAppend",
        "mustChunk", "mustCompact", "mustFirst", "mustHas", "mustInitial", "mustLast", "mustPrepend",
        "mustPush", "mustRest", "mustReverse", "mustSlice", "mustUniq", "mustWithout", "prepend",
        "push", "rest", "reverse", "seq", "slice", "tuple", "uniq", "until", "untilStep", "without",
    )),
    "dicts": frozenset((
        "deepCopy", "dict", "dig", "get", "hasKey", "keys", "merge", "mergeOverwrite", "mustDeepCopy",
        "mustMerge", "mustMergeOverwrite", "omit", "pick", "pluck", "set", "unset", "values",
    )),
    "defaults": frozenset((
        "all", "any", "coalesce", "default", "empty", "fromJson", "mustFromJson", "mustToJson",
        "mustToPrettyJson", "mustToRawJson", "ternary", "toJson", "toPrettyJson", "toRawJson",
    )),
    "reflection": frozenset((
        "deepEqual", "kindIs", "kindOf", "typeIs", "typeIsLike", "typeOf",
    )),
    "math": frozenset((
        "add", "add1", "add1f", "addf", "atoi", "biggest", "ceil", "div", "divf", "float64", "floor",
        "int", "int64", "max", "maxf", "min", "minf", "mod", "mul", "mulf", "randInt", "round", "sub",
        "subf", "toDecimal",
    )),
    "dates": frozenset((
        "ago", "date", "dateInZone", "dateModify", "date_in_zone", "date_modify", "duration",
        "durationRound", "htmlDate", "htmlDateInZone", "mustDateModify", "mustToDate",
        "must_date_modify", "now", "toDate", "unixEpoch",
    )),
    "semver": frozenset((
        "semver", "semverCompare",
    )),
    "crypto": frozenset((
        "bcrypt", "buildCustomCert", "decryptAES", "derivePassword", "encryptAES", "genCA",
        "genCAWithKey", "genPrivateKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
        "genSignedCert", "genSignedCertWithKey", "htpasswd", "randBytes",
    )),
    "os_net": frozenset((
        "env", "expandenv", "fail", "getHostByName", "urlJoin", "urlParse", "uuidv4",
    )),
}
