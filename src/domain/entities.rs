//! Character references in text: `&#233;`, `&#xE9;` and the named ones (`&eacute;`,
//! `&uuml;`, `&szlig;`, `&rsquo;` …), decoded as a browser would. The named table is HTML 4's
//! whole set (253 names: Latin-1, symbols and Greek, punctuation), which covers what news
//! text in the widget's languages uses: about 2 KB in the module (1.4 KB of names, 0.5 KB of
//! code points). HTML5's table (2,125 distinct names, mostly mathematical) would be 16 KB of
//! names alone, with code points of one or two characters, for names articles do not use.
//! An unknown reference stays as written, as a browser shows it.

pub fn decode_entities(text: &str) -> String {
    decode_references_with(text, named_entity)
}

/// Decodes every numeric reference and every named one `named` knows; any other `&` stays as
/// written. The loop both readers share: the article's (HTML 4's table, `decode_entities`) and
/// the comments' (a handful of names, `comment_markup`, which must not carry the table).
pub fn decode_references_with(text: &str, named: fn(&str) -> Option<char>) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one(rest, named) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the reference at the start of `text` (which begins with `&`).
fn decode_one(text: &str, named: fn(&str) -> Option<char>) -> Option<(char, usize)> {
    // The longest reference we know is short; look for its `;` among the first bytes only.
    // (Searching bytes, not slicing the string, so a multi-byte character cannot be split.)
    let semicolon = text.bytes().take(34).position(|b| b == b';')?;
    let name = &text[1..semicolon];
    let decoded = if let Some(number) = name.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        // NUL, surrogates and out-of-range values (however many digits) become U+FFFD, as in
        // HTML.
        u32::from_str_radix(digits, radix)
            .ok()
            .filter(|code| *code != 0)
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}')
    } else {
        named(name)?
    };
    Some((decoded, semicolon + 1))
}

fn named_entity(name: &str) -> Option<char> {
    let index = NAMES.split(' ').position(|known| known == name)?;
    char::from_u32(u32::from(*CODES.get(index)?))
}

/// HTML 4's named character references (Latin-1, symbols and Greek, and the special ones),
/// plus `apos`: the names, space-separated and sorted, and their code points in the same
/// order. Packed this way (rather than as a table of string slices) it costs half the bytes
/// in the WebAssembly module; a lookup scans 253 names, only when a text has a reference.
/// Names are case-sensitive (`Eacute` is not `eacute`), as in HTML.
const NAMES: &str =
    "AElig Aacute Acirc Agrave Alpha Aring Atilde Auml Beta Ccedil Chi Dagger Delta ETH \
     Eacute Ecirc Egrave Epsilon Eta Euml Gamma Iacute Icirc Igrave Iota Iuml Kappa Lambda \
     Mu Ntilde Nu OElig Oacute Ocirc Ograve Omega Omicron Oslash Otilde Ouml Phi Pi Prime \
     Psi Rho Scaron Sigma THORN Tau Theta Uacute Ucirc Ugrave Upsilon Uuml Xi Yacute Yuml \
     Zeta aacute acirc acute aelig agrave alefsym alpha amp and ang apos aring asymp atilde \
     auml bdquo beta brvbar bull cap ccedil cedil cent chi circ clubs cong copy crarr cup \
     curren dArr dagger darr deg delta diams divide eacute ecirc egrave empty emsp ensp \
     epsilon equiv eta eth euml euro exist fnof forall frac12 frac14 frac34 frasl gamma ge \
     gt hArr harr hearts hellip iacute icirc iexcl igrave image infin int iota iquest isin \
     iuml kappa lArr lambda lang laquo larr lceil ldquo le lfloor lowast loz lrm lsaquo \
     lsquo lt macr mdash micro middot minus mu nabla nbsp ndash ne ni not notin nsub ntilde \
     nu oacute ocirc oelig ograve oline omega omicron oplus or ordf ordm oslash otilde \
     otimes ouml para part permil perp phi pi piv plusmn pound prime prod prop psi quot rArr \
     radic rang raquo rarr rceil rdquo real reg rfloor rho rlm rsaquo rsquo sbquo scaron \
     sdot sect shy sigma sigmaf sim spades sub sube sum sup sup1 sup2 sup3 supe szlig tau \
     there4 theta thetasym thinsp thorn tilde times trade uArr uacute uarr ucirc ugrave uml \
     upsih upsilon uuml weierp xi yacute yen yuml zeta zwj zwnj";

const CODES: [u16; 253] = [
    0x00C6, 0x00C1, 0x00C2, 0x00C0, 0x0391, 0x00C5, 0x00C3, 0x00C4, 0x0392, 0x00C7, 0x03A7, 0x2021,
    0x0394, 0x00D0, 0x00C9, 0x00CA, 0x00C8, 0x0395, 0x0397, 0x00CB, 0x0393, 0x00CD, 0x00CE, 0x00CC,
    0x0399, 0x00CF, 0x039A, 0x039B, 0x039C, 0x00D1, 0x039D, 0x0152, 0x00D3, 0x00D4, 0x00D2, 0x03A9,
    0x039F, 0x00D8, 0x00D5, 0x00D6, 0x03A6, 0x03A0, 0x2033, 0x03A8, 0x03A1, 0x0160, 0x03A3, 0x00DE,
    0x03A4, 0x0398, 0x00DA, 0x00DB, 0x00D9, 0x03A5, 0x00DC, 0x039E, 0x00DD, 0x0178, 0x0396, 0x00E1,
    0x00E2, 0x00B4, 0x00E6, 0x00E0, 0x2135, 0x03B1, 0x0026, 0x2227, 0x2220, 0x0027, 0x00E5, 0x2248,
    0x00E3, 0x00E4, 0x201E, 0x03B2, 0x00A6, 0x2022, 0x2229, 0x00E7, 0x00B8, 0x00A2, 0x03C7, 0x02C6,
    0x2663, 0x2245, 0x00A9, 0x21B5, 0x222A, 0x00A4, 0x21D3, 0x2020, 0x2193, 0x00B0, 0x03B4, 0x2666,
    0x00F7, 0x00E9, 0x00EA, 0x00E8, 0x2205, 0x2003, 0x2002, 0x03B5, 0x2261, 0x03B7, 0x00F0, 0x00EB,
    0x20AC, 0x2203, 0x0192, 0x2200, 0x00BD, 0x00BC, 0x00BE, 0x2044, 0x03B3, 0x2265, 0x003E, 0x21D4,
    0x2194, 0x2665, 0x2026, 0x00ED, 0x00EE, 0x00A1, 0x00EC, 0x2111, 0x221E, 0x222B, 0x03B9, 0x00BF,
    0x2208, 0x00EF, 0x03BA, 0x21D0, 0x03BB, 0x2329, 0x00AB, 0x2190, 0x2308, 0x201C, 0x2264, 0x230A,
    0x2217, 0x25CA, 0x200E, 0x2039, 0x2018, 0x003C, 0x00AF, 0x2014, 0x00B5, 0x00B7, 0x2212, 0x03BC,
    0x2207, 0x00A0, 0x2013, 0x2260, 0x220B, 0x00AC, 0x2209, 0x2284, 0x00F1, 0x03BD, 0x00F3, 0x00F4,
    0x0153, 0x00F2, 0x203E, 0x03C9, 0x03BF, 0x2295, 0x2228, 0x00AA, 0x00BA, 0x00F8, 0x00F5, 0x2297,
    0x00F6, 0x00B6, 0x2202, 0x2030, 0x22A5, 0x03C6, 0x03C0, 0x03D6, 0x00B1, 0x00A3, 0x2032, 0x220F,
    0x221D, 0x03C8, 0x0022, 0x21D2, 0x221A, 0x232A, 0x00BB, 0x2192, 0x2309, 0x201D, 0x211C, 0x00AE,
    0x230B, 0x03C1, 0x200F, 0x203A, 0x2019, 0x201A, 0x0161, 0x22C5, 0x00A7, 0x00AD, 0x03C3, 0x03C2,
    0x223C, 0x2660, 0x2282, 0x2286, 0x2211, 0x2283, 0x00B9, 0x00B2, 0x00B3, 0x2287, 0x00DF, 0x03C4,
    0x2234, 0x03B8, 0x03D1, 0x2009, 0x00FE, 0x02DC, 0x00D7, 0x2122, 0x21D1, 0x00FA, 0x2191, 0x00FB,
    0x00F9, 0x00A8, 0x03D2, 0x03C5, 0x00FC, 0x2118, 0x03BE, 0x00FD, 0x00A5, 0x00FF, 0x03B6, 0x200D,
    0x200C,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_and_typographic_names_decode() {
        assert_eq!(
            decode_entities(
                "caf&eacute; &uuml;ber Stra&szlig;e &Eacute;t&eacute; na&iuml;ve &ccedil;a"
            ),
            "café über Straße Été naïve ça"
        );
        assert_eq!(
            decode_entities("&laquo;&nbsp;x&nbsp;&raquo; &euro;5 &frac12; &alpha;&Omega; &hellip;"),
            "«\u{A0}x\u{A0}» €5 ½ αΩ …"
        );
    }

    #[test]
    fn the_table_is_sorted_and_whole() {
        let names: Vec<&str> = NAMES.split(' ').collect();
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(names.len(), CODES.len());
        assert_eq!(named_entity("Eacute"), Some('É'));
        assert_eq!(named_entity("EACUTE"), None, "names are case-sensitive");
    }
}
