# The filter pipeline end to end in core (training data, training, bundle, apply).
pcstudio_add_test(tst_filterpipeline SOURCES filter/tst_filterpipeline.cpp LIBS ZLIB::ZLIB)
