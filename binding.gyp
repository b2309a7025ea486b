{
  "targets": [
    {
      "target_name": "erm_kernel",
      "sources": ["native/erm_kernel.cc"],
      "cflags_cc": ["-O3", "-std=gnu++17", "-ffp-contract=fast", "-fno-exceptions", "-Wno-maybe-uninitialized"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-ffp-contract=fast"] }
    }
  ]
}
