//! Mapping Cinder's device choice onto burn 0.22 devices: `flex` on the CPU (DESIGN §7; ~25× faster than
//! `ndarray` in backward passes here), `wgpu` on GPUs (Vulkan, or Mesa's lavapipe on CPU-only CI machines).

use crate::NnError;
use burn::tensor::Device;
use cinder_core::Device as CinderDevice;

/// The burn device for inference.
pub fn inference_device(device: CinderDevice) -> Result<Device, NnError> {
    match device {
        CinderDevice::Cpu => Ok(Device::flex()),
        CinderDevice::Wgpu => wgpu_device(),
    }
}

/// The burn device for training: the inference device with autodiff.
pub fn training_device(device: CinderDevice) -> Result<Device, NnError> {
    Ok(inference_device(device)?.autodiff())
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device, NnError> {
    Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Result<Device, NnError> {
    Err(NnError::DeviceUnavailable("wgpu"))
}
