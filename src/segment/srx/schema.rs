//! The structure SRX 2.0's schema (`srx20.xsd`) requires, checked as the
//! reader goes: which elements may appear where, in which order and how many
//! times, their required attributes and the values those may take, and no
//! text where only elements belong. Elements of other namespaces are allowed
//! where the schema allows them (at the end of `<header>`) and skipped.
//!
//! One departure, for the files users have: a `<header>` without
//! `segmentsubflows` or `cascade` (OmegaT's own default rules omit
//! `segmentsubflows`) is a warning, and the attribute takes its usual value.

/// An element's children: each name with its minimum and maximum count, in order.
struct Model {
    name: &'static str,
    children: &'static [(&'static str, u32, u32)],
    /// Elements of other namespaces may follow the children.
    foreign_tail: bool,
    /// Character data allowed (`<beforebreak>`, `<afterbreak>`).
    text: bool,
    /// Attributes: name, required, allowed values (empty: any string).
    attributes: &'static [(&'static str, Required, &'static [&'static str])],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Required {
    Yes,
    No,
    /// Required by the schema, but commonly left out: a warning.
    Warn,
}

const YES_NO: &[&str] = &["yes", "no"];

const MODELS: &[Model] = &[
    Model {
        name: "srx",
        children: &[("header", 1, 1), ("body", 1, 1)],
        foreign_tail: false,
        text: false,
        attributes: &[("version", Required::Yes, &["2.0"])],
    },
    Model {
        name: "header",
        children: &[("formathandle", 0, 3)],
        foreign_tail: true,
        text: false,
        attributes: &[
            ("segmentsubflows", Required::Warn, YES_NO),
            ("cascade", Required::Warn, YES_NO),
        ],
    },
    Model {
        name: "formathandle",
        children: &[],
        foreign_tail: false,
        text: false,
        attributes: &[
            ("include", Required::Yes, YES_NO),
            ("type", Required::Yes, &["start", "end", "isolated"]),
        ],
    },
    Model {
        name: "body",
        children: &[("languagerules", 1, 1), ("maprules", 1, 1)],
        foreign_tail: false,
        text: false,
        attributes: &[],
    },
    Model {
        name: "languagerules",
        children: &[("languagerule", 1, u32::MAX)],
        foreign_tail: false,
        text: false,
        attributes: &[],
    },
    Model {
        name: "languagerule",
        children: &[("rule", 1, u32::MAX)],
        foreign_tail: false,
        text: false,
        attributes: &[("languagerulename", Required::Yes, &[])],
    },
    Model {
        name: "rule",
        children: &[("beforebreak", 0, 1), ("afterbreak", 0, 1)],
        foreign_tail: false,
        text: false,
        attributes: &[("break", Required::No, YES_NO)],
    },
    Model {
        name: "beforebreak",
        children: &[],
        foreign_tail: false,
        text: true,
        attributes: &[],
    },
    Model {
        name: "afterbreak",
        children: &[],
        foreign_tail: false,
        text: true,
        attributes: &[],
    },
    Model {
        name: "maprules",
        children: &[("languagemap", 1, u32::MAX)],
        foreign_tail: false,
        text: false,
        attributes: &[],
    },
    Model {
        name: "languagemap",
        children: &[],
        foreign_tail: false,
        text: false,
        attributes: &[
            ("languagerulename", Required::Yes, &[]),
            ("languagepattern", Required::Yes, &[]),
        ],
    },
];

fn model(name: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.name == name)
}

/// A problem at a byte offset of the document.
pub(super) type Problem = (u64, String);

struct Frame {
    model: &'static Model,
    /// Index of the child being counted, and how many of it were seen.
    child: usize,
    count: u32,
    in_foreign_tail: bool,
}

/// The checker's state: the open SRX elements, and how deep inside a
/// foreign element (skipped whole) the reader is.
#[derive(Default)]
pub(super) struct SchemaCheck {
    stack: Vec<Frame>,
    foreign_depth: usize,
    saw_root: bool,
}

impl SchemaCheck {
    /// True while inside a foreign element, whose content is not SRX's.
    pub(super) fn skipping(&self) -> bool {
        self.foreign_depth > 0
    }

    /// An element starts at `pos`. `foreign`: it belongs to another namespace.
    /// `attributes`: its unprefixed attributes. Warnings go to `warn`.
    pub(super) fn start(
        &mut self,
        name: &str,
        foreign: bool,
        attributes: &[(String, String)],
        pos: u64,
        warn: &mut dyn FnMut(Problem),
    ) -> Result<(), Problem> {
        if self.foreign_depth > 0 {
            self.foreign_depth += 1;
            return Ok(());
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.saw_root {
                return Err((pos, format!("<{name}> after the end of <srx>")));
            }
            self.saw_root = true;
            if foreign || name != "srx" {
                return Err((pos, "not an SRX file (no <srx> root element)".into()));
            }
            return self.open("srx", attributes, pos, warn);
        };
        if foreign {
            while parent.child < parent.model.children.len() {
                let (child, min, _) = parent.model.children[parent.child];
                if parent.count < min {
                    return Err((pos, format!("<{}> needs <{child}> here", parent.model.name)));
                }
                parent.child += 1;
                parent.count = 0;
            }
            if !parent.model.foreign_tail {
                return Err((
                    pos,
                    format!(
                        "<{name}> (another namespace) is not allowed in <{}>",
                        parent.model.name
                    ),
                ));
            }
            parent.in_foreign_tail = true;
            self.foreign_depth = 1;
            return Ok(());
        }
        if parent.in_foreign_tail {
            return Err((
                pos,
                format!(
                    "<{name}> must come before the other namespaces' elements in <{}>",
                    parent.model.name
                ),
            ));
        }
        loop {
            let Some(&(child, min, max)) = parent.model.children.get(parent.child) else {
                return Err((pos, not_allowed(name, parent.model)));
            };
            if child == name {
                parent.count += 1;
                if parent.count > max {
                    return Err((
                        pos,
                        format!("<{}> allows at most {max} <{name}>", parent.model.name),
                    ));
                }
                break;
            }
            if parent.count < min {
                return Err((
                    pos,
                    format!("<{}> needs <{child}> before <{name}>", parent.model.name),
                ));
            }
            parent.child += 1;
            parent.count = 0;
        }
        self.open(name, attributes, pos, warn)
    }

    fn open(
        &mut self,
        name: &str,
        attributes: &[(String, String)],
        pos: u64,
        warn: &mut dyn FnMut(Problem),
    ) -> Result<(), Problem> {
        let model = model(name).ok_or_else(|| (pos, format!("unknown element <{name}>")))?;
        for (key, value) in attributes {
            let Some((_, _, allowed)) = model.attributes.iter().find(|(a, _, _)| a == key) else {
                return Err((pos, format!("<{name}> has no attribute {key:?}")));
            };
            if !allowed.is_empty() && !allowed.contains(&value.as_str()) {
                return Err((
                    pos,
                    format!(
                        "{key}=\"{value}\" on <{name}>: expected {}",
                        allowed
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                ));
            }
        }
        for (attr, required, allowed) in model.attributes {
            if attributes.iter().any(|(k, _)| k == attr) {
                continue;
            }
            match required {
                Required::Yes => {
                    return Err((pos, format!("<{name}> needs the attribute {attr}")));
                }
                Required::Warn => warn((
                    pos,
                    format!(
                        "<{name}> lacks the attribute {attr} that SRX 2.0 requires; taken as \"{}\"",
                        if *attr == "cascade" { "no" } else { allowed[0] }
                    ),
                )),
                Required::No => {}
            }
        }
        self.stack.push(Frame {
            model,
            child: 0,
            count: 0,
            in_foreign_tail: false,
        });
        Ok(())
    }

    /// The element open at the top ends at `pos`.
    pub(super) fn end(&mut self, pos: u64) -> Result<(), Problem> {
        if self.foreign_depth > 0 {
            self.foreign_depth -= 1;
            return Ok(());
        }
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let mut index = frame.child;
        let mut count = frame.count;
        while let Some(&(child, min, _)) = frame.model.children.get(index) {
            if count < min {
                return Err((
                    pos,
                    format!("<{}> ends without <{child}>", frame.model.name),
                ));
            }
            index += 1;
            count = 0;
        }
        Ok(())
    }

    /// Character data that is not only white space, at `pos`.
    pub(super) fn text(&self, pos: u64) -> Result<(), Problem> {
        match self.stack.last() {
            Some(frame) if !frame.model.text && self.foreign_depth == 0 => Err((
                pos,
                format!("text is not allowed directly in <{}>", frame.model.name),
            )),
            None if !self.saw_root || self.stack.is_empty() => {
                Err((pos, "text outside the <srx> element".into()))
            }
            _ => Ok(()),
        }
    }

    /// The document ended: the root must have been seen.
    pub(super) fn finish(&self) -> Result<(), Problem> {
        if self.saw_root {
            Ok(())
        } else {
            Err((0, "not an SRX file (no <srx> root element)".into()))
        }
    }
}

fn not_allowed(name: &str, parent: &Model) -> String {
    let expected: Vec<String> = parent
        .children
        .iter()
        .map(|(c, _, _)| format!("<{c}>"))
        .collect();
    if expected.is_empty() {
        format!("<{name}> is not allowed in <{}>", parent.name)
    } else {
        format!(
            "<{name}> is not allowed here in <{}> (it holds {} in that order)",
            parent.name,
            expected.join(", ")
        )
    }
}
