//! The scene model shared by the window's canvas and the report's renderings. So far its
//! [`geometry`]: edges, arrowheads and hop arcs by one set of rules, so a reviewer's rendering
//! draws the marks where the investigator saw them.

pub mod geometry;
