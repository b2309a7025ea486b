{
  "targets": [
    {
      "target_name": "erm_kernel",
      "sources": ["native/erm_kernel.cc"],
      "cflags_cc": ["-O3", "-std=gnu++17", "-fopenmp-simd", "-ffp-contract=fast", "-fno-exceptions", "-Wno-maybe-uninitialized"],
      "cflags_cc!": ["-fno-rtti"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-fopenmp-simd", "-ffp-contract=fast"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/openmp:experimental"] } }
    }
  ]
}
