//! Labels under nodes, chain badges and the text of aggregate boxes, for the nodes on screen:
//! laid out only when drawn (egui caches the galleys), faded by zoom, and left out when too
//! many nodes are on screen (except for emphasised ones).

use egui::{Align2, Color32, FontId, Painter, Stroke, StrokeKind, vec2};

use super::draw::Frame;
use super::info::{chain_badge, node_chain, node_label};
use super::style::{BADGE_SIZE, DOT_RADIUS, LABEL_SIZE};
use crate::case::NodeKey;

/// Paints labels under nodes, chain badges, and the text of aggregate boxes.
pub fn labels(painter: &Painter, f: &Frame<'_>, visible: &[u32]) {
    for &slot in visible {
        let (Some(n), Some(c)) = (f.spatial.node(slot), f.screen(slot)) else { continue };
        let Some(node) = f.graph.graph.node_weight(n.index) else { continue };
        let emphasised = f.is_selected(slot) || f.hovered == Some(slot) || f.is_dragged(slot) || node.seed;
        let alpha = if emphasised {
            1.0
        } else if f.crowded {
            0.0
        } else {
            f.label_alpha
        };
        if alpha <= 0.01 {
            continue;
        }
        let half = f.screen_half(slot);
        if let NodeKey::Aggregate(_) = node.key {
            let size = LABEL_SIZE.min(half.y * 1.1);
            if size >= 6.0 {
                let galley = painter.layout_no_wrap(node_label(node), FontId::proportional(size), Color32::PLACEHOLDER);
                let r = Align2::CENTER_CENTER.anchor_size(c, galley.size());
                painter.galley(r.min, galley, f.theme.text.gamma_multiply(alpha));
            }
            continue;
        }
        let galley = painter.layout_no_wrap(node_label(node), FontId::proportional(LABEL_SIZE), Color32::PLACEHOLDER);
        let r = Align2::CENTER_TOP.anchor_size(c + vec2(0.0, half.y + 4.0), galley.size());
        painter.rect_filled(r.expand(2.0), 3.0, f.theme.text_bg.gamma_multiply(alpha * 0.8));
        painter.galley(r.min, galley, f.theme.text.gamma_multiply(alpha));
        let badge = if emphasised { alpha } else { f.badge_alpha.min(alpha) };
        if badge > 0.01
            && half.y >= DOT_RADIUS
            && let Some(chain) = node_chain(&node.key)
        {
            let galley =
                painter.layout_no_wrap(chain_badge(chain), FontId::proportional(BADGE_SIZE), Color32::PLACEHOLDER);
            let r = Align2::LEFT_CENTER.anchor_size(c + vec2(half.x * 0.75, half.y * 0.75), galley.size());
            painter.rect(
                r.expand(1.5),
                3.0,
                f.theme.text_bg.gamma_multiply(badge),
                Stroke::new(0.5, f.theme.outline.gamma_multiply(badge * 0.6)),
                StrokeKind::Middle,
            );
            painter.galley(r.min, galley, f.theme.text.gamma_multiply(badge));
        }
    }
}
