/** The app's Event Grid publisher lives below functions/, where the activities use it too. */
export { appEventPublisher } from '../stores/appEventPublisher';
