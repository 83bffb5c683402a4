//! `Body`: what the pose pipeline says about the person in a frame, with
//! the 33 landmarks named and the measures renderers need.

use super::mask::PersonMask;
use super::{Detection, NormalizedRect};

/// BlazePose's 33 body landmarks, in the model's order; the discriminant is
/// the index into [`Body::landmarks`]. Left and right are the person's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum BodyLandmark {
    /// Nose (0).
    Nose,
    /// Left eye, inner corner (1).
    LeftEyeInner,
    /// Left eye (2).
    LeftEye,
    /// Left eye, outer corner (3).
    LeftEyeOuter,
    /// Right eye, inner corner (4).
    RightEyeInner,
    /// Right eye (5).
    RightEye,
    /// Right eye, outer corner (6).
    RightEyeOuter,
    /// Left ear (7).
    LeftEar,
    /// Right ear (8).
    RightEar,
    /// Left corner of the mouth (9).
    MouthLeft,
    /// Right corner of the mouth (10).
    MouthRight,
    /// Left shoulder (11).
    LeftShoulder,
    /// Right shoulder (12).
    RightShoulder,
    /// Left elbow (13).
    LeftElbow,
    /// Right elbow (14).
    RightElbow,
    /// Left wrist (15).
    LeftWrist,
    /// Right wrist (16).
    RightWrist,
    /// Left pinky finger (17).
    LeftPinky,
    /// Right pinky finger (18).
    RightPinky,
    /// Left index finger (19).
    LeftIndex,
    /// Right index finger (20).
    RightIndex,
    /// Left thumb (21).
    LeftThumb,
    /// Right thumb (22).
    RightThumb,
    /// Left hip (23).
    LeftHip,
    /// Right hip (24).
    RightHip,
    /// Left knee (25).
    LeftKnee,
    /// Right knee (26).
    RightKnee,
    /// Left ankle (27).
    LeftAnkle,
    /// Right ankle (28).
    RightAnkle,
    /// Left heel (29).
    LeftHeel,
    /// Right heel (30).
    RightHeel,
    /// Left foot index, at the toes (31).
    LeftFootIndex,
    /// Right foot index, at the toes (32).
    RightFootIndex,
}

/// The number of body landmarks.
pub const BODY_LANDMARKS: usize = 33;

/// One landmark in the image.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Landmark {
    /// Across, normalised to the image width from the left edge (may lie
    /// outside [0, 1]).
    pub x: f32,
    /// Down, normalised to the image height from the top edge (may lie
    /// outside [0, 1]).
    pub y: f32,
    /// Depth on x's scale, origin at the hips, smaller is nearer.
    pub z: f32,
    /// Probability that the point is visible (not occluded).
    pub visibility: f32,
    /// Probability that the point is in the frame.
    pub presence: f32,
}

/// The person found in one frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Body {
    /// In JSON: `[x, y, z, visibility, presence]` each, as MediaPipe's
    /// reference files have them.
    #[serde(serialize_with = "landmarks_as_arrays")]
    pub landmarks: [Landmark; BODY_LANDMARKS],
    /// Metres, origin between the hips, in the image's axes (y down).
    #[serde(serialize_with = "slice")]
    pub world_landmarks: [[f32; 3]; BODY_LANDMARKS],
    /// The landmark model's pose-presence probability.
    pub pose_score: f32,
    /// The region the landmarks were estimated in.
    pub roi: NormalizedRect,
    /// The detection that placed the region, on frames where the detector
    /// ran (`None` while tracking).
    pub detection: Option<Detection>,
    /// The person mask over the whole image, when segmentation is on
    /// (blended with the previous frame's in video mode).
    #[serde(skip)]
    pub mask: Option<PersonMask>,
}

impl Body {
    /// The image-space landmark `which`.
    pub fn landmark(&self, which: BodyLandmark) -> Landmark {
        self.landmarks[which as usize]
    }

    fn midpoint(&self, a: BodyLandmark, b: BodyLandmark) -> [f32; 2] {
        let (a, b) = (self.landmark(a), self.landmark(b));
        [(a.x + b.x) / 2.0, (a.y + b.y) / 2.0]
    }

    /// The point between the shoulders, normalised.
    pub fn shoulder_center(&self) -> [f32; 2] {
        self.midpoint(BodyLandmark::LeftShoulder, BodyLandmark::RightShoulder)
    }

    /// The point between the hips, normalised.
    pub fn hip_center(&self) -> [f32; 2] {
        self.midpoint(BodyLandmark::LeftHip, BodyLandmark::RightHip)
    }

    /// Shoulder width in metres (from the world landmarks).
    pub fn shoulder_width_m(&self) -> f32 {
        self.world_distance_m(BodyLandmark::LeftShoulder, BodyLandmark::RightShoulder)
    }

    /// Hip width in metres.
    pub fn hip_width_m(&self) -> f32 {
        self.world_distance_m(BodyLandmark::LeftHip, BodyLandmark::RightHip)
    }

    /// Distance between two landmarks in metres.
    pub fn world_distance_m(&self, a: BodyLandmark, b: BodyLandmark) -> f32 {
        let (a, b) = (
            self.world_landmarks[a as usize],
            self.world_landmarks[b as usize],
        );
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }
}

// serde derives arrays only up to 32 elements; 33 go out as sequences.
fn slice<S: serde::Serializer, T: serde::Serialize, const N: usize>(
    values: &[T; N],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(values.iter())
}

fn landmarks_as_arrays<S: serde::Serializer>(
    landmarks: &[Landmark; BODY_LANDMARKS],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(
        landmarks
            .iter()
            .map(|l| [l.x, l.y, l.z, l.visibility, l.presence]),
    )
}
