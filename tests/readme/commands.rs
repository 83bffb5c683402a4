//! Reading the README: its command lines (```sh blocks and inline code in
//! prose), and splitting one into words as the shell would.

/// One command line of the README.
#[derive(Debug, Clone)]
pub struct ReadmeLine {
    /// 1-based line in README.md where it starts.
    pub line: usize,
    /// The command, continuation lines joined.
    pub text: String,
    /// Quoted inline in prose rather than in a ```sh block.
    pub prose: bool,
}

impl std::fmt::Display for ReadmeLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.prose { "prose" } else { "sh block" };
        write!(f, "README.md:{} ({place}): `{}`", self.line, self.text)
    }
}

/// Every line of the ```sh blocks (a line ending in `\` joined with the
/// next), and the inline code spans in prose that run drape.
pub fn command_lines(readme: &str) -> Vec<ReadmeLine> {
    let mut found = Vec::new();
    let mut fence: Option<String> = None;
    let mut pending: Option<(usize, String)> = None;
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    for (index, raw) in readme.lines().enumerate() {
        let number = index + 1;
        if let Some(info) = raw.trim_start().strip_prefix("```") {
            if fence.take().is_none() {
                fence = Some(info.trim().to_string());
                prose_commands(&paragraph, &mut found);
                paragraph.clear();
            }
            continue;
        }
        match fence.as_deref() {
            Some("sh") => {
                let (start, mut text) = pending.take().unwrap_or((number, String::new()));
                match raw.trim_end().strip_suffix('\\') {
                    Some(head) => {
                        text.push_str(head);
                        text.push(' ');
                        pending = Some((start, text));
                    }
                    None => {
                        text.push_str(raw);
                        let text = text.trim();
                        if !text.is_empty() && !text.starts_with('#') {
                            found.push(ReadmeLine {
                                line: start,
                                text: text.to_string(),
                                prose: false,
                            });
                        }
                    }
                }
            }
            Some(_) => {}
            None if raw.trim().is_empty() => {
                prose_commands(&paragraph, &mut found);
                paragraph.clear();
            }
            None => paragraph.push((number, raw)),
        }
    }
    prose_commands(&paragraph, &mut found);
    found.sort_by_key(|l| l.line);
    found
}

/// The code spans of one paragraph (its lines joined) that run drape.
fn prose_commands(paragraph: &[(usize, &str)], found: &mut Vec<ReadmeLine>) {
    let mut joined = String::new();
    let mut starts = Vec::new();
    for (number, line) in paragraph {
        starts.push((joined.len(), *number));
        joined.push_str(line.trim());
        joined.push(' ');
    }
    let mut offset = 0;
    for (i, part) in joined.split('`').enumerate() {
        let here = offset;
        offset += part.len() + 1;
        if i % 2 == 0 {
            continue;
        }
        let text = part.split_whitespace().collect::<Vec<_>>().join(" ");
        let runs_drape = text == "drape"
            || text.starts_with("drape ")
            || text.starts_with("cargo run")
            || text.contains("| drape ");
        if runs_drape {
            let line = starts
                .iter()
                .take_while(|(start, _)| *start <= here)
                .last()
                .map_or(0, |(_, number)| *number);
            found.push(ReadmeLine {
                line,
                text,
                prose: true,
            });
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Word(String),
    Pipe,
    And,
}

/// Splits a command line as the shell would: quotes, backslashes, `|`,
/// `&&` and a `#` comment. Anything more (redirections, `$`, `;`, an
/// unquoted glob the shell would expand) is an error: this test would not
/// run it as the shell does.
pub fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let flush = |tokens: &mut Vec<Token>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("an unclosed '".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$' | '`') => return Err("`$` or a backquote in quotes".to_string()),
                        Some('\\') => word.extend(chars.next()),
                        Some(c) => word.push(c),
                        None => return Err("an unclosed \"".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            '#' if !in_word => break,
            ' ' | '\t' => flush(&mut tokens, &mut word, &mut in_word),
            '|' if chars.peek() != Some(&'|') => {
                flush(&mut tokens, &mut word, &mut in_word);
                tokens.push(Token::Pipe);
            }
            '&' if chars.next_if_eq(&'&').is_some() => {
                flush(&mut tokens, &mut word, &mut in_word);
                tokens.push(Token::And);
            }
            '*' | '?' | '[' => {
                return Err(format!(
                    "an unquoted `{c}`: the shell would expand it as a glob"
                ))
            }
            '|' | '&' | ';' | '<' | '>' | '$' | '`' | '(' | ')' => {
                return Err(format!("shell syntax `{c}`"))
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    flush(&mut tokens, &mut word, &mut in_word);
    Ok(tokens)
}
