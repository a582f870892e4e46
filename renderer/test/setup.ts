// jest-dom matchers (toBeInTheDocument, toHaveAttribute …) for the renderer project.
import '@testing-library/jest-dom/vitest';
