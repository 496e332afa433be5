target_sources(ui PRIVATE textfocus.h)
