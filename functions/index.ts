/**
 * The app's entry point (package.json "main" → dist/functions/index.js): validates the settings,
 * checks that the chosen store can be reached from this host, and registers every function with
 * app.* / df.app.*. Each module below registers its functions when imported; none is optional, so
 * a packaging mistake fails the start instead of silently disabling part of the app.
 */
import { assertStoreReachable, loadSettings } from './settings';

// A bad setting stops the app here, with a message naming it.
assertStoreReachable(loadSettings());

// Telemetry first, so every function registered below runs traced when an exporter is configured.
import './tracing';

import './api';
import './commandHandler';
import './eventHandler';
import './secondaryHandlers';
import './dashboard';
import './reconciler';
import './processManager';
import '../activities/index';
import '../entities/index';
