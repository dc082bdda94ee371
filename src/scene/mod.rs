//! The scene model shared by the window's canvas and the report's renderings: [`geometry`]
//! (edges, arrowheads and hop arcs by one set of rules) and [`measure`] (edge values and
//! colours, node flows and sizes, curved edges, the sizes and thresholds of marks), so a
//! reviewer's rendering draws the marks the investigator saw where the investigator saw them.

pub mod geometry;
pub mod measure;
