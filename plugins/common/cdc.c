/* cdc.c — placeholder while the implementation lands (see cdc.h). */
#include "cdc.h"
