# Which key goes to which endpoint (review/apikey, listed with the client) as kept in a queue, and
# the Test connection probe of an endpoint.
target_sources(core PRIVATE
  review/keysettings.h review/keysettings.cpp
  review/connectiontest.h review/connectiontest.cpp
)
