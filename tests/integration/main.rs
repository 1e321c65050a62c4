//! lzctl's integration tests, one binary: the real lzctl binary against a real, independent
//! AWS emulator (moto), a module per capability, every outcome checked through the SDK rather
//! than through lzctl; and the rules of the source tree itself.

mod architecture;
mod bad_inputs;
mod conventions;
mod effective;
mod emulator;
mod faults;
mod gitops;
mod identity_center;
mod importing;
mod interrupts;
mod inventory;
#[macro_use]
mod moto_server;
mod proxy;
mod reading;
mod root_access;
mod schema;
mod security;
mod simulating;
mod stack_sets;
mod support;
mod workflow;
