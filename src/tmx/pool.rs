//! Recycled allocations for the reader: the strings and vectors of units the
//! caller has finished with ([`super::TmxReader::recycle`]) are kept and
//! filled again for the next units, so a long stream of units costs few
//! calls to the allocator. Bounded: at most [`MAX_ITEMS`] spare items of a
//! kind, and no string or vector larger than [`MAX_CAPACITY`] is kept, so
//! memory stays flat whatever the input.

use std::borrow::Cow;

use super::model::{Attr, Note, Prop, SegPart, Tu, Tuv};

/// Spare items kept per kind.
const MAX_ITEMS: usize = 1024;
/// Largest capacity (bytes or elements) worth keeping.
const MAX_CAPACITY: usize = 16 * 1024;

#[derive(Default)]
pub(crate) struct Pool {
    strings: Vec<String>,
    attrs: Vec<Vec<Attr>>,
    parts: Vec<Vec<SegPart>>,
    tuvs: Vec<Tuv>,
    tu: Option<Tu>,
}

impl Pool {
    /// A string holding `text`.
    pub fn string(&mut self, text: &str) -> String {
        match self.strings.pop() {
            Some(mut s) => {
                s.push_str(text);
                s
            }
            None => text.to_string(),
        }
    }

    /// `text` as an owned string, reusing a spare one when it is borrowed.
    pub fn own(&mut self, text: Cow<'_, str>) -> String {
        match text {
            Cow::Borrowed(t) => self.string(t),
            Cow::Owned(t) => t,
        }
    }

    pub fn put_string(&mut self, s: String) {
        keep(&mut self.strings, s);
    }

    /// An empty attribute list.
    pub fn attrs(&mut self) -> Vec<Attr> {
        self.attrs.pop().unwrap_or_default()
    }

    pub fn put_attrs(&mut self, mut attrs: Vec<Attr>) {
        self.drain_attrs(&mut attrs);
        if attrs.capacity() != 0 && attrs.capacity() <= MAX_CAPACITY && self.attrs.len() < MAX_ITEMS
        {
            self.attrs.push(attrs);
        }
    }

    fn drain_attrs(&mut self, attrs: &mut Vec<Attr>) {
        for a in attrs.drain(..) {
            self.put_string(a.name);
            self.put_string(a.value);
        }
    }

    /// An empty list of segment parts.
    pub fn parts(&mut self) -> Vec<SegPart> {
        self.parts.pop().unwrap_or_default()
    }

    pub fn put_parts(&mut self, mut parts: Vec<SegPart>) {
        self.drain_parts(&mut parts);
        if parts.capacity() != 0 && parts.capacity() <= MAX_CAPACITY && self.parts.len() < MAX_ITEMS
        {
            self.parts.push(parts);
        }
    }

    fn drain_parts(&mut self, parts: &mut Vec<SegPart>) {
        for p in parts.drain(..) {
            match p {
                SegPart::Text(s) => self.put_string(s),
                SegPart::Inline(i) => {
                    self.put_attrs(i.attrs);
                    self.put_parts(i.content);
                }
            }
        }
    }

    fn drain_notes(&mut self, notes: &mut Vec<Note>) {
        for n in notes.drain(..) {
            self.put_string(n.text);
            self.put_attrs(n.attrs);
        }
    }

    fn drain_props(&mut self, props: &mut Vec<Prop>) {
        for p in props.drain(..) {
            self.put_string(p.kind);
            self.put_string(p.value);
            self.put_attrs(p.attrs);
        }
    }

    /// A variant as [`Tuv::default`] makes it, possibly with spare capacity.
    pub fn tuv(&mut self) -> Tuv {
        self.tuvs.pop().unwrap_or_default()
    }

    pub fn put_tuv(&mut self, mut tuv: Tuv) {
        self.reset_tuv(&mut tuv);
        if self.tuvs.len() < 64 {
            self.tuvs.push(tuv);
        }
    }

    /// Empties a variant in place, keeping what it held for reuse. (Variants
    /// are large structs: resetting them where they are saves moving them.)
    pub fn reset_tuv(&mut self, tuv: &mut Tuv) {
        // The language stays in place: the reader writes the next one into it.
        tuv.lang.clear();
        let mut strings = std::mem::take(&mut self.strings);
        tuv.take_known(|s| keep(&mut strings, s));
        self.strings = strings;
        self.drain_attrs(&mut tuv.extra);
        tuv.extensions.clear();
        self.drain_notes(&mut tuv.notes);
        self.drain_props(&mut tuv.props);
        tuv.meta_order.clear();
        self.drain_parts(&mut tuv.seg.parts);
        self.drain_attrs(&mut tuv.seg.attrs);
        tuv.missing_seg = false;
        tuv.no_lang = false;
    }

    /// A unit as [`Tu::default`] makes it, possibly with spare capacity.
    pub fn tu(&mut self) -> Tu {
        self.tu.take().unwrap_or_default()
    }

    pub fn put_tu(&mut self, mut tu: Tu) {
        self.clear_tu(&mut tu);
        while let Some(tuv) = tu.tuvs.pop() {
            self.put_tuv(tuv);
        }
        if tu.tuvs.capacity() <= MAX_CAPACITY {
            self.tu = Some(tu);
        }
    }

    /// Empties `tu`'s own fields and resets its variants in place, keeping
    /// what they held for reuse: the reader fills the variants again and
    /// drops those the next unit does not need ([`Pool::next_tuv`]).
    pub fn clear_tu(&mut self, tu: &mut Tu) {
        let mut strings = std::mem::take(&mut self.strings);
        tu.take_known(|s| keep(&mut strings, s));
        self.strings = strings;
        self.drain_attrs(&mut tu.extra);
        tu.extensions.clear();
        tu.body_before.clear();
        self.drain_notes(&mut tu.notes);
        self.drain_props(&mut tu.props);
        tu.meta_order.clear();
        for tuv in &mut tu.tuvs {
            self.reset_tuv(tuv);
        }
    }

    /// The next variant to fill in `tuvs`, of which `used` are filled: a
    /// reset one left in place by [`Pool::clear_tu`], or a new one.
    pub fn next_tuv<'t>(&mut self, tuvs: &'t mut Vec<Tuv>, used: &mut usize) -> &'t mut Tuv {
        if *used >= tuvs.len() {
            tuvs.push(self.tuv());
        }
        *used += 1;
        &mut tuvs[*used - 1]
    }

    /// Gives back the variants after the first `used` (left over from a
    /// longer unit).
    pub fn truncate_tuvs(&mut self, tuvs: &mut Vec<Tuv>, used: usize) {
        while tuvs.len() > used {
            if let Some(tuv) = tuvs.pop() {
                self.put_tuv(tuv);
            }
        }
    }
}

/// Keeps `s`, emptied, for reuse (when it is worth keeping).
fn keep(strings: &mut Vec<String>, mut s: String) {
    if s.capacity() != 0 && s.capacity() <= MAX_CAPACITY && strings.len() < MAX_ITEMS {
        s.clear();
        strings.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::model::{Inline, InlineKind, Seg};

    #[test]
    fn recycled_units_come_back_empty() {
        let mut pool = Pool::default();
        let mut tu = Tu {
            tuid: Some("1".into()),
            ..Tu::default()
        };
        tu.extra.push(Attr {
            name: "x-a".into(),
            value: "b".into(),
        });
        let mut tuv = Tuv {
            lang: "en".into(),
            changedate: Some("20240101T000000Z".into()),
            missing_seg: true,
            no_lang: true,
            ..Tuv::default()
        };
        tuv.seg = Seg {
            parts: vec![
                SegPart::Text("a".into()),
                SegPart::Inline(Inline {
                    kind: InlineKind::from_name("ph"),
                    attrs: vec![],
                    content: vec![SegPart::Text("<b>".into())],
                }),
            ],
            attrs: vec![],
        };
        tu.tuvs.push(tuv);
        pool.put_tu(tu);
        assert_eq!(pool.tu(), Tu::default());
        assert_eq!(pool.tuv(), Tuv::default());
        // Every recycled string comes back empty.
        for _ in 0..10 {
            assert_eq!(pool.string("xyz"), "xyz");
        }
        assert!(pool.parts().is_empty());
    }
}
