//! A small libFuzzer-like mutator for the in-process smoke run: no
//! coverage guidance, but the same kinds of edits (bits, bytes, integers,
//! dictionary tokens, inserted, erased and copied ranges, splices,
//! truncation), stacked one to four at a time, from a seeded xorshift so a
//! run is repeatable.

/// Byte values that often sit on a boundary.
const INTERESTING_U8: [u8; 12] = [
    0, 1, 2, 0x7f, 0x80, 0xff, b'0', b'9', b'-', b'.', b'\n', b' ',
];
/// Little-endian words that often sit on a boundary.
const INTERESTING_U32: [u32; 10] = [
    0,
    1,
    0x7f,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7f80_0000, // f32 infinity
    0x7fc0_0000, // f32 NaN
];

pub struct Mutator {
    state: u64,
    dictionary: Vec<Vec<u8>>,
}

impl Mutator {
    pub fn new(seed: u64, dictionary: Vec<Vec<u8>>) -> Mutator {
        Mutator {
            state: seed | 1,
            dictionary,
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    /// Applies one to four edits to `input`, keeping it at most `max_len`
    /// bytes; `other` is spliced in now and then.
    pub fn mutate(&mut self, input: &mut Vec<u8>, other: &[u8], max_len: usize) {
        for _ in 0..1 + self.below(4) {
            self.edit(input, other);
            input.truncate(max_len);
        }
    }

    fn edit(&mut self, input: &mut Vec<u8>, other: &[u8]) {
        let len = input.len();
        let at = self.below(len);
        match self.below(12) {
            0 if len > 0 => input[at] ^= 1 << self.below(8),
            1 if len > 0 => input[at] = self.next() as u8,
            2 if len > 0 => input[at] = INTERESTING_U8[self.below(INTERESTING_U8.len())],
            3 if len >= 4 => {
                let at = self.below(len - 3);
                let word = INTERESTING_U32[self.below(INTERESTING_U32.len())];
                let bytes = if self.below(2) == 0 {
                    word.to_le_bytes()
                } else {
                    word.to_be_bytes()
                };
                input[at..at + 4].copy_from_slice(&bytes);
            }
            4 => {
                let count = 1 + self.below(8);
                let bytes: Vec<u8> = (0..count).map(|_| self.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            5 if len > 0 => {
                let end = (at + 1 + self.below(16)).min(len);
                input.drain(at..end);
            }
            6 if len > 0 => {
                // Copy a range of the input to another place in it.
                let from = self.below(len);
                let end = (from + 1 + self.below(64)).min(len);
                let chunk = input[from..end].to_vec();
                input.splice(at..at, chunk);
            }
            7 | 8 if !self.dictionary.is_empty() => {
                let pick = self.below(self.dictionary.len());
                let token = self.dictionary[pick].clone();
                if self.below(2) == 0 {
                    input.splice(at..at, token);
                } else {
                    let end = (at + token.len()).min(len);
                    input.splice(at..end, token);
                }
            }
            9 if !other.is_empty() => {
                // This input's start, the other's end.
                let from = self.below(other.len());
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            10 if len > 0 => input.truncate(at),
            _ => {
                // An ASCII number's digits replaced: text formats hide
                // their sizes and indices there.
                let digits = input.iter().position(|b| b.is_ascii_digit());
                let start = digits.map(|first| {
                    let skip = self.below(len - first);
                    (first + skip..len)
                        .find(|&i| input[i].is_ascii_digit())
                        .unwrap_or(first)
                });
                if let Some(start) = start {
                    let end = (start..len)
                        .find(|&i| !input[i].is_ascii_digit())
                        .unwrap_or(len);
                    let numbers: [&[u8]; 8] = [
                        b"0",
                        b"1",
                        b"65535",
                        b"4294967295",
                        b"4294967296",
                        b"18446744073709551615",
                        b"99999999999999999999999",
                        b"16385",
                    ];
                    let number = numbers[self.below(numbers.len())].to_vec();
                    input.splice(start..end, number);
                }
            }
        }
    }
}

/// The tokens of a libFuzzer dictionary file: one `"token"` (or
/// `name="token"`) a line, with `\\`, `\"` and `\xNN` escapes; `#` starts
/// a comment.
pub fn parse_dictionary(text: &str) -> Vec<Vec<u8>> {
    let mut tokens = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (Some(open), Some(close)) = (line.find('"'), line.rfind('"')) else {
            panic!("dictionary line without quotes: {line}");
        };
        assert!(close > open, "dictionary line with one quote: {line}");
        let body = &line.as_bytes()[open + 1..close];
        let mut token = Vec::new();
        let mut i = 0;
        while i < body.len() {
            match (body[i], body.get(i + 1)) {
                (b'\\', Some(b'x')) => {
                    let hex = std::str::from_utf8(&body[i + 2..i + 4]).expect("hex escape");
                    token.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                    i += 4;
                }
                (b'\\', Some(&escaped)) => {
                    token.push(escaped);
                    i += 2;
                }
                (byte, _) => {
                    token.push(byte);
                    i += 1;
                }
            }
        }
        tokens.push(token);
    }
    tokens
}
