//! `${{ … }}` input templates: parsing ([`Template::parse`]), the placeholders a template
//! refers to ([`Template::references`], for validation) and rendering ([`Template::render`]).
//!
//! Syntax (upstream's `DependentString`): the string is split on `${{`; the text before the
//! first one is literal; every later piece must contain `}}`, and what precedes its first
//! `}}` is the placeholder, what follows is literal. The placeholder is split on `.` and each
//! part trimmed: `id.outputs.field` (three parts, the middle one `outputs`) or `store.key`
//! (two parts, the first `store`). No part may be empty. There is no escape for a literal
//! `${{`. Unlike upstream, a second `}}` in the literal tail is kept as text instead of being
//! an error.

use std::fmt;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// Text copied as is.
    Literal(String),
    /// `${{ id.outputs.field }}`: an output field of an ancestor node.
    Output {
        /// The producing node's identifier.
        id: String,
        /// The output field.
        field: String,
    },
    /// `${{ store.key }}`: a value of the run's store.
    Store {
        /// The store key.
        key: String,
    },
}

impl Part {
    /// Whether this is a placeholder (not literal text).
    pub fn is_placeholder(&self) -> bool {
        !matches!(self, Part::Literal(_))
    }
}

impl fmt::Display for Part {
    /// Literal text as is; placeholders in canonical form, e.g. `${{ a.outputs.f }}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Literal(s) => f.write_str(s),
            Part::Output { id, field } => write!(f, "${{{{ {id}.outputs.{field} }}}}"),
            Part::Store { key } => write!(f, "${{{{ store.{key} }}}}"),
        }
    }
}

/// Why a template does not parse or render.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `${{` without a closing `}}`.
    #[error("invalid placeholder {piece:?}: '${{{{' not closed")]
    Unclosed {
        /// The text after the `${{`.
        piece: String,
    },
    /// The placeholder is neither `id.outputs.field` nor `store.key`.
    #[error("invalid placeholder {content:?}: expected 'id.outputs.field' or 'store.key'")]
    Invalid {
        /// What stood between `${{` and `}}`.
        content: String,
    },
    /// The resolver had no value for this placeholder.
    #[error("no value for placeholder {placeholder}")]
    Unresolved {
        /// The placeholder in canonical form, e.g. `${{ store.who }}`.
        placeholder: String,
    },
}

/// A parsed template: literal text and placeholders in order. Empty literals are dropped.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Template {
    /// The pieces, in order.
    pub parts: Vec<Part>,
}

impl Template {
    /// Parses `${{ … }}` placeholders out of `s`.
    pub fn parse(s: &str) -> Result<Template, TemplateError> {
        let mut pieces = s.split("${{");
        let mut parts = Vec::new();
        push_literal(&mut parts, pieces.next().unwrap_or_default());
        for piece in pieces {
            let Some((content, tail)) = piece.split_once("}}") else {
                return Err(TemplateError::Unclosed {
                    piece: piece.to_owned(),
                });
            };
            parts.push(placeholder(content)?);
            push_literal(&mut parts, tail);
        }
        Ok(Template { parts })
    }

    /// The placeholders, in order (repeats included).
    pub fn references(&self) -> impl Iterator<Item = &Part> {
        self.parts.iter().filter(|p| p.is_placeholder())
    }

    /// `(id, field)` of every `id.outputs.field` placeholder.
    pub fn output_refs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Output { id, field } => Some((id.as_str(), field.as_str())),
            _ => None,
        })
    }

    /// The key of every `store.key` placeholder.
    pub fn store_refs(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Store { key } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Whether the template has no placeholder.
    pub fn is_literal(&self) -> bool {
        !self.parts.iter().any(Part::is_placeholder)
    }

    /// Concatenates the literal text and the value `resolve` gives for each placeholder
    /// (`resolve` is only called for placeholders). The first placeholder it has no value
    /// for is the error.
    pub fn render(
        &self,
        mut resolve: impl FnMut(&Part) -> Option<String>,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                p => match resolve(p) {
                    Some(v) => out.push_str(&v),
                    None => {
                        return Err(TemplateError::Unresolved {
                            placeholder: p.to_string(),
                        });
                    }
                },
            }
        }
        Ok(out)
    }
}

fn push_literal(parts: &mut Vec<Part>, s: &str) {
    if !s.is_empty() {
        parts.push(Part::Literal(s.to_owned()));
    }
}

fn placeholder(content: &str) -> Result<Part, TemplateError> {
    let fields: Vec<&str> = content.split('.').map(str::trim).collect();
    let invalid = || TemplateError::Invalid {
        content: content.to_owned(),
    };
    if fields.iter().any(|f| f.is_empty()) {
        return Err(invalid());
    }
    match fields.as_slice() {
        [id, "outputs", field] => Ok(Part::Output {
            id: (*id).to_owned(),
            field: (*field).to_owned(),
        }),
        ["store", key] => Ok(Part::Store {
            key: (*key).to_owned(),
        }),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(id: &str, field: &str) -> Part {
        Part::Output {
            id: id.into(),
            field: field.into(),
        }
    }
    fn lit(s: &str) -> Part {
        Part::Literal(s.into())
    }

    #[test]
    fn plain_text_is_one_literal() {
        let t = Template::parse("hello {{ world }}").unwrap();
        assert_eq!(t.parts, [lit("hello {{ world }}")]);
        assert!(t.is_literal());
        assert_eq!(Template::parse("").unwrap().parts, []);
    }

    #[test]
    fn placeholders_with_literal_text_around() {
        let t = Template::parse("Hi ${{ a.outputs.name }}, from ${{store.city}}!").unwrap();
        assert_eq!(
            t.parts,
            [
                lit("Hi "),
                out("a", "name"),
                lit(", from "),
                Part::Store { key: "city".into() },
                lit("!")
            ]
        );
        assert_eq!(t.output_refs().collect::<Vec<_>>(), [("a", "name")]);
        assert_eq!(t.store_refs().collect::<Vec<_>>(), ["city"]);
        assert_eq!(t.references().count(), 2);
        assert!(!t.is_literal());
    }

    #[test]
    fn adjacent_and_repeated_placeholders() {
        let t = Template::parse("${{a.outputs.x}}${{ a.outputs.x }}").unwrap();
        assert_eq!(t.parts, [out("a", "x"), out("a", "x")]);
    }

    #[test]
    fn whitespace_inside_is_trimmed() {
        let t = Template::parse("${{  a . outputs .  x  }}").unwrap();
        assert_eq!(t.parts, [out("a", "x")]);
    }

    #[test]
    fn syntax_errors() {
        let unclosed = Template::parse("x ${{ a.outputs.f").unwrap_err();
        assert!(matches!(unclosed, TemplateError::Unclosed { .. }));
        assert!(unclosed.to_string().contains("not closed"));
        for bad in [
            "${{ a.b.c }}",
            "${{ a.outputs }}",
            "${{ a }}",
            "${{ }}",
            "${{ store }}",
            "${{ store.a.b }}",
            "${{ store. }}",
            "${{ .outputs.f }}",
            "${{ a.outputs.f.g }}",
            "${{ a.outputs. }}",
            "ok ${{ a.outputs.f }} then ${{ bad }}",
        ] {
            let e = Template::parse(bad).unwrap_err();
            assert!(matches!(e, TemplateError::Invalid { .. }), "{bad}: {e:?}");
        }
    }

    #[test]
    fn stray_closing_braces_stay_literal() {
        let t = Template::parse("${{ store.k }} }} ok").unwrap();
        assert_eq!(t.parts, [Part::Store { key: "k".into() }, lit(" }} ok")]);
    }

    #[test]
    fn render_substitutes_strings() {
        let t = Template::parse("Hi ${{ a.outputs.name }} (${{ store.n }})").unwrap();
        let s = t
            .render(|p| match p {
                Part::Output { id, field } if id == "a" && field == "name" => Some("bob".into()),
                Part::Store { key } if key == "n" => Some("3".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(s, "Hi bob (3)");
    }

    #[test]
    fn render_names_the_unresolved_placeholder() {
        let t = Template::parse("${{ store.a }}-${{ b.outputs.c }}").unwrap();
        let e = t
            .render(|p| matches!(p, Part::Store { .. }).then(|| "x".to_owned()))
            .unwrap_err();
        assert_eq!(
            e,
            TemplateError::Unresolved {
                placeholder: "${{ b.outputs.c }}".into()
            }
        );
        assert_eq!(e.to_string(), "no value for placeholder ${{ b.outputs.c }}");
    }

    #[test]
    fn display_is_canonical_and_reparses() {
        let t = Template::parse("a${{x.outputs.y}}b${{ store.k}}").unwrap();
        let s: String = t.parts.iter().map(ToString::to_string).collect();
        assert_eq!(s, "a${{ x.outputs.y }}b${{ store.k }}");
        assert_eq!(Template::parse(&s).unwrap(), t);
    }
}
