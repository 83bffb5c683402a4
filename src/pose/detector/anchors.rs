//! SSD anchors: the grid of reference boxes the detector's outputs are
//! offsets from, generated as MediaPipe's SsdAnchorsCalculator does
//! (without its multiscale mode, which the pose detector does not use).

/// One anchor, normalised to the detector input: centre and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x_center: f32,
    pub y_center: f32,
    pub width: f32,
    pub height: f32,
}

/// SsdAnchorsCalculatorOptions, the fields the generator reads.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorOptions {
    pub num_layers: usize,
    pub min_scale: f32,
    pub max_scale: f32,
    pub input_width: usize,
    pub input_height: usize,
    pub anchor_offset_x: f32,
    pub anchor_offset_y: f32,
    /// One stride per layer, in input pixels.
    pub strides: Vec<usize>,
    pub aspect_ratios: Vec<f32>,
    /// 0 or less: no interpolated anchor per location.
    pub interpolated_scale_aspect_ratio: f32,
    pub reduce_boxes_in_lowest_layer: bool,
    /// Every anchor 1×1: the network regresses absolute sizes.
    pub fixed_anchor_size: bool,
}

impl AnchorOptions {
    /// The pose detector's options (pose_detection_cpu.pbtxt; defaults
    /// from ssd_anchors_calculator.proto for the fields it leaves out).
    pub fn pose_detector() -> AnchorOptions {
        AnchorOptions {
            num_layers: 5,
            min_scale: 0.148_437_5,
            max_scale: 0.75,
            input_width: 224,
            input_height: 224,
            anchor_offset_x: 0.5,
            anchor_offset_y: 0.5,
            strides: vec![8, 16, 32, 32, 32],
            aspect_ratios: vec![1.0],
            interpolated_scale_aspect_ratio: 1.0,
            reduce_boxes_in_lowest_layer: false,
            fixed_anchor_size: true,
        }
    }
}

/// The number of anchors of the pose detector, and of its output rows.
pub const POSE_DETECTOR_ANCHORS: usize = 2254;

fn layer_scale(options: &AnchorOptions, layer: usize) -> f32 {
    let count = options.strides.len();
    if count == 1 {
        (options.min_scale + options.max_scale) * 0.5
    } else {
        // MediaPipe mixes f32 and f64 here; the f64 ratio then f32 result
        // follows it.
        (f64::from(options.min_scale)
            + f64::from(options.max_scale - options.min_scale) * layer as f64
                / (count as f64 - 1.0)) as f32
    }
}

/// Generates the anchors, layer by layer, row-major within a layer, and
/// for layers sharing a stride, all their anchors per location together.
/// Layers beyond `strides` are ignored.
pub fn generate_anchors(options: &AnchorOptions) -> Vec<Anchor> {
    let mut anchors = Vec::new();
    let layers = options.num_layers.min(options.strides.len());
    let mut layer = 0;
    while layer < layers {
        let stride = options.strides[layer];
        let mut sizes: Vec<(f32, f32)> = Vec::new();
        let mut last_same_stride = layer;
        while last_same_stride < options.strides.len()
            && options.strides[last_same_stride] == stride
        {
            let scale = layer_scale(options, last_same_stride);
            let mut scales_ratios: Vec<(f32, f32)> = Vec::new();
            if last_same_stride == 0 && options.reduce_boxes_in_lowest_layer {
                scales_ratios.extend([(0.1, 1.0), (scale, 2.0), (scale, 0.5)]);
            } else {
                scales_ratios.extend(options.aspect_ratios.iter().map(|&r| (scale, r)));
                if options.interpolated_scale_aspect_ratio > 0.0 {
                    let next = if last_same_stride + 1 == options.strides.len() {
                        1.0
                    } else {
                        layer_scale(options, last_same_stride + 1)
                    };
                    scales_ratios.push((
                        (scale * next).sqrt(),
                        options.interpolated_scale_aspect_ratio,
                    ));
                }
            }
            sizes.extend(scales_ratios.iter().map(|&(scale, ratio)| {
                let root = ratio.sqrt();
                (scale * root, scale / root)
            }));
            last_same_stride += 1;
        }
        let rows = options.input_height.div_ceil(stride.max(1));
        let columns = options.input_width.div_ceil(stride.max(1));
        for y in 0..rows {
            for x in 0..columns {
                for &(width, height) in &sizes {
                    let (width, height) = if options.fixed_anchor_size {
                        (1.0, 1.0)
                    } else {
                        (width, height)
                    };
                    anchors.push(Anchor {
                        x_center: (x as f32 + options.anchor_offset_x) / columns as f32,
                        y_center: (y as f32 + options.anchor_offset_y) / rows as f32,
                        width,
                        height,
                    });
                }
            }
        }
        layer = last_same_stride;
    }
    anchors
}
